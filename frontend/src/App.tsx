import { App as AntApp, ConfigProvider } from 'antd';
import viVN from 'antd/locale/vi_VN';
import { QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { useState } from 'react';
import { RouterProvider } from 'react-router/dom';
import { ApiProblem } from './api/problem';
import { AuthProvider } from './auth/AuthContext';
import { router } from './routes';

const FONT = "Inter, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif";

/**
 * Ant Design's defaults darkened just enough for WCAG AA text contrast (4.5:1), which axe-core
 * checks on every page in the e2e suite: the primary blue on white and on its selected-item tint,
 * secondary text on the grey page background, placeholders.
 */
const THEME = {
  token: {
    fontFamily: FONT,
    borderRadius: 6,
    colorPrimary: '#0958d9',
    colorLink: '#0958d9',
    colorTextTertiary: 'rgba(0, 0, 0, 0.62)',
    colorTextDescription: 'rgba(0, 0, 0, 0.62)',
    colorTextPlaceholder: 'rgba(0, 0, 0, 0.55)',
  },
};

function makeQueryClient() {
  return new QueryClient({
    queryCache: new QueryCache(),
    defaultOptions: {
      queries: {
        staleTime: 15_000,
        // Client errors (403/404/422…) will not get better by asking again.
        retry: (count, error) => count < 2 && !(error instanceof ApiProblem && error.status >= 400 && error.status < 500),
      },
    },
  });
}

export default function App() {
  const [client] = useState(makeQueryClient);

  // A refused token anywhere drops the session (AuthProvider); RequireAuth then sends the user
  // to the login page, which says why.
  return (
    <ConfigProvider locale={viVN} theme={THEME}>
      {/* Toasts below a drawer's or modal's header: at the top they covered its close button
          (and stay while the pointer rests on them). */}
      <AntApp message={{ top: 72 }}>
        <QueryClientProvider client={client}>
          <AuthProvider>
            <RouterProvider router={router} />
          </AuthProvider>
        </QueryClientProvider>
      </AntApp>
    </ConfigProvider>
  );
}

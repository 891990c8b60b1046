import { App as AntApp, ConfigProvider } from 'antd';
import viVN from 'antd/locale/vi_VN';
import { QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { useState } from 'react';
import { RouterProvider } from 'react-router/dom';
import { ApiProblem } from './api/problem';
import { AuthProvider } from './auth/AuthContext';
import { router } from './routes';

const FONT = "Inter, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif";

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
    <ConfigProvider locale={viVN} theme={{ token: { fontFamily: FONT, borderRadius: 6 } }}>
      <AntApp>
        <QueryClientProvider client={client}>
          <AuthProvider>
            <RouterProvider router={router} />
          </AuthProvider>
        </QueryClientProvider>
      </AntApp>
    </ConfigProvider>
  );
}

/// <reference types="vite/client" />

/** Operations of the OpenAPI document the app was built against, as "METHOD /path" (see vite.config.ts). */
declare const __API_OPERATIONS__: string[];

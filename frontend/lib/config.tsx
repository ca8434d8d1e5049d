"use client";

import { createContext, useContext } from "react";

/** Where the gateway lives; read from the server's environment at request time (see app/layout.tsx). */
export interface RuntimeConfig {
  apiUrl: string;
  wsUrl: string;
}

const ConfigContext = createContext<RuntimeConfig | null>(null);

export function ConfigProvider({ value, children }: { value: RuntimeConfig; children: React.ReactNode }) {
  return <ConfigContext.Provider value={value}>{children}</ConfigContext.Provider>;
}

export function useConfig(): RuntimeConfig {
  const config = useContext(ConfigContext);
  if (!config) throw new Error("useConfig outside ConfigProvider");
  return config;
}

/** Media URLs from the API are paths on the gateway (/media/...?token=...). */
export function absoluteUrl(apiUrl: string, url: string): string {
  return /^https?:\/\//.test(url) ? url : `${apiUrl}${url}`;
}

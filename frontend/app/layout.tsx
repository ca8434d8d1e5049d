import type { Metadata } from "next";

import { ConfigProvider } from "@/lib/config";

import "./globals.css";

export const metadata: Metadata = {
  title: "Adreel — AI Ad Video Generator",
  description: "Describe a product, pick images and clips, get a finished 1080p ad.",
};

// Read the gateway's address from the environment on every request, so one build serves any mesh.
export const dynamic = "force-dynamic";

function runtimeConfig() {
  const apiUrl = (process.env.ADREEL_API_URL ?? "http://127.0.0.1:8000").replace(/\/+$/, "");
  const wsUrl = (process.env.ADREEL_WS_URL ?? apiUrl.replace(/^http/, "ws")).replace(/\/+$/, "");
  return { apiUrl, wsUrl };
}

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen font-sans">
        <ConfigProvider value={runtimeConfig()}>{children}</ConfigProvider>
      </body>
    </html>
  );
}

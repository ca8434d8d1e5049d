/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Media come from the gateway with signed ?token= URLs; plain <img>/<video> keep them untouched.
  images: { unoptimized: true },
};

export default nextConfig;

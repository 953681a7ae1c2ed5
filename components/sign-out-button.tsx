"use client";

import { useRouter } from "next/navigation";

export function SignOutButton() {
  const router = useRouter();
  return (
    <button type="button"
      onClick={async () => {
        await fetch("/api/auth/logout", { method: "POST" });
        router.replace("/sign-in");
        router.refresh();
      }}
      className="text-sm text-slate-600 underline-offset-2 hover:underline">
      Sign out
    </button>
  );
}

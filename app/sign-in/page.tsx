import type { Metadata } from "next";
import { SignInForm } from "@/components/sign-in-form";

export const metadata: Metadata = { title: "Sign in" };

export default function SignInPage() {
  return (
    <main className="flex min-h-screen items-center justify-center px-4">
      <div className="w-full max-w-sm">
        <div className="mb-8 text-center">
          <div className="text-3xl font-semibold tracking-tight text-brand-700">Inflow</div>
          <p className="mt-2 text-sm text-slate-600">Bank statements, mobile money and sales data, in one clean ledger.</p>
        </div>
        <SignInForm />
      </div>
    </main>
  );
}

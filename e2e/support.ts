import path from "node:path";

export const PASSWORD = "inflow-demo";
export const ROLES = ["admin", "reviewer", "uploader", "viewer"] as const;
export type Role = (typeof ROLES)[number];

export const emailOf = (role: Role) => `${role}@example.com`;
export const storageStateOf = (role: Role) => path.join("e2e", ".auth", `${role}.json`);
export const sample = (...parts: string[]) => path.join("test", "fixtures", "samples", ...parts);

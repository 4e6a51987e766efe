export declare const LAYERS: Record<string, { allowed: string[]; typeOnly?: string[] }>;
export declare function importsUnder(
  dir: string,
): { file: string; spec: string; pkg: string; typeOnly: boolean }[];
export declare function checkImportDeps(
  workspaceDir: string,
  options?: { extraUsed?: string[] },
): string[];

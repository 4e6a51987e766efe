export declare const LAYERS: Record<
  string,
  { allowed: string[]; typeOnly?: string[]; packages?: string[]; pure?: boolean }
>;
export declare function importsUnder(
  dir: string,
): { file: string; spec: string; pkg: string; typeOnly: boolean; builtin: boolean }[];
export declare function impureCalls(dir: string): { file: string; line: number; what: string }[];
export declare function checkImportDeps(
  workspaceDir: string,
  options?: { extraUsed?: string[]; devOnly?: string[] },
): string[];

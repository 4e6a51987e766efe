// The repository's own check of docker-compose.yml (no Docker engine needed): the file is valid
// Compose, and everything it runs exists in this checkout and agrees with ops/src/services.ts.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';
import { BUNDLES } from '../bundle.js';
import { GATEWAY, nodeCommand, REPO_ROOT, SERVICES } from '../services.js';

type JsonObject = Record<string, unknown>;

const isObject = (v: unknown): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const SCHEMA_PATH = path.join(REPO_ROOT, 'ops/schemas/compose-spec.json');

// ajv-formats is CommonJS with a default export; under NodeNext the callable is `.default`.
const addFormats = addFormatsModule.default;

/** Reads a compose file as Compose does: YAML merge keys (`<<: *anchor`) resolved. */
export function loadComposeFile(file = path.join(REPO_ROOT, 'docker-compose.yml')): unknown {
  return parse(readFileSync(file, 'utf8'), { merge: true });
}

let compiled: ReturnType<Ajv2020['compile']> | undefined;

/**
 * Errors of `doc` against the Compose Specification (ops/schemas/compose-spec.json, JSON Schema
 * 2020-12). Strict about unknown keywords and formats; `strictTypes` is off because the
 * upstream schema leaves `type` implicit beside `additionalProperties` in places.
 */
export function composeSchemaErrors(doc: unknown): string[] {
  if (!compiled) {
    const ajv = new Ajv2020({ allErrors: true, strict: true, strictTypes: false });
    addFormats(ajv);
    compiled = ajv.compile(JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')));
  }
  if (compiled(doc)) return [];
  return (compiled.errors ?? []).map(
    (e) => `${e.instancePath || '(root)'} ${e.message ?? e.keyword} ${JSON.stringify(e.params)}`,
  );
}

const argvOf = (command: unknown): string[] | undefined =>
  Array.isArray(command) && command.every((a) => typeof a === 'string') ? command : undefined;

/** Problems with what one argv refers to: files for node, scripts for npm. */
function argvProblems(where: string, argv: readonly string[], root: string): string[] {
  const [program, ...args] = argv;
  if (program === 'node') {
    return args
      .filter((a) => !a.startsWith('-') && /\.(ts|mts|js|mjs)$/.test(a))
      .map((file) => BUNDLES.find((b) => b.bundle === file)?.entry ?? file)
      .filter((file) => !existsSync(path.join(root, file)))
      .map((file) => `${where}: runs ${file}, which does not exist`);
  }
  if (program === 'npm') {
    const w = args.findIndex((a) => a === '-w' || a === '--workspace');
    const workspace = w >= 0 ? args[w + 1] : undefined;
    const script = args[0] === 'run' ? args[1] : args[0];
    const dir = workspace ? workspace.replace(/^@techflow\//, '') : '.';
    const pkgFile = path.join(root, dir, 'package.json');
    if (!existsSync(pkgFile)) return [`${where}: no package.json for workspace ${workspace}`];
    const pkg: unknown = JSON.parse(readFileSync(pkgFile, 'utf8'));
    const scripts = isObject(pkg) && isObject(pkg['scripts']) ? pkg['scripts'] : {};
    return script && script in scripts ? [] : [`${where}: npm script ${script} not in ${pkgFile}`];
  }
  return [];
}

/** Problems with a Dockerfile `build` points at: it must exist and copy every workspace manifest. */
function dockerfileProblems(where: string, build: unknown, root: string): string[] {
  if (!isObject(build)) return [];
  const context = path.join(root, typeof build['context'] === 'string' ? build['context'] : '.');
  const file = path.join(
    context,
    typeof build['dockerfile'] === 'string' ? build['dockerfile'] : 'Dockerfile',
  );
  if (!existsSync(file)) return [`${where}: build.dockerfile ${file} does not exist`];
  const text = readFileSync(file, 'utf8');
  const rootPkg: unknown = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  const workspaces =
    isObject(rootPkg) && Array.isArray(rootPkg['workspaces']) ? rootPkg['workspaces'] : [];
  // npm ci in the deps stage fails unless every workspace's package.json is there.
  return workspaces
    .filter((ws): ws is string => typeof ws === 'string')
    .filter((ws) => !text.includes(`COPY ${ws}/package.json`))
    .map((ws) => `${where}: ${path.relative(root, file)} does not copy ${ws}/package.json`);
}

/**
 * Problems with what the compose file runs, beyond the schema: every service the supervisor
 * runs (and the gateway) is in it, with the same argv and port; every file and npm script a
 * command or healthcheck names exists under `root`.
 */
export function composeWiringProblems(doc: unknown, root = REPO_ROOT): string[] {
  const services = isObject(doc) && isObject(doc['services']) ? doc['services'] : {};
  const problems: string[] = [];
  const expected = [
    ...SERVICES.map((s) => ({
      name: s.name,
      command: nodeCommand(s.bundle, s),
      port: s.composePort,
    })),
    { name: GATEWAY.name, command: nodeCommand(GATEWAY.bundle), port: GATEWAY.composePort },
  ];
  problems.push(...environmentProblems(services));
  for (const { name, command, port } of expected) {
    const service = services[name];
    if (!isObject(service)) {
      problems.push(`service ${name} (ops/src/services.ts) is missing from the compose file`);
      continue;
    }
    if (JSON.stringify(service['command']) !== JSON.stringify(command))
      problems.push(`${name}: command is not ${JSON.stringify(command)}`);
    const health = isObject(service['healthcheck']) ? argvOf(service['healthcheck']['test']) : [];
    if (!health?.some((a) => a.includes(`:${port}/ready`)))
      problems.push(`${name}: healthcheck does not probe /ready on port ${port}`);
  }
  for (const [name, service] of Object.entries(services)) {
    if (!isObject(service)) continue;
    const command = argvOf(service['command']);
    if (command) problems.push(...argvProblems(`${name} command`, command, root));
    const test = isObject(service['healthcheck'])
      ? argvOf(service['healthcheck']['test'])
      : undefined;
    if (test?.[0] === 'CMD')
      problems.push(...argvProblems(`${name} healthcheck`, test.slice(1), root));
    problems.push(...dockerfileProblems(name, service['build'], root));
  }
  return [...new Set(problems)];
}

/** Every container agrees on the ports, and the gateway finds the services where they listen. */
function environmentProblems(services: JsonObject): string[] {
  const envOf = (name: string): JsonObject => {
    const service = services[name];
    return isObject(service) && isObject(service['environment']) ? service['environment'] : {};
  };
  const problems: string[] = [];
  for (const spec of [...SERVICES.map((s) => s.name), GATEWAY.name]) {
    if (!isObject(services[spec])) continue; // reported as missing already
    const env = envOf(spec);
    for (const s of SERVICES) {
      if (env[s.portVariable] !== String(s.composePort))
        problems.push(`${spec}: environment ${s.portVariable} is not "${s.composePort}"`);
    }
  }
  const gateway = envOf(GATEWAY.name);
  for (const [variable, name] of [
    ['COMMAND_URL', 'command-service'],
    ['QUERY_URL', 'query-service'],
  ] as const) {
    const port = SERVICES.find((s) => s.name === name)?.composePort;
    if (gateway[variable] !== `http://${name}:${port}`)
      problems.push(`gateway: ${variable} is not http://${name}:${port}`);
  }
  if (gateway['PORT'] !== String(GATEWAY.composePort))
    problems.push(`gateway: PORT is not "${GATEWAY.composePort}"`);
  return problems;
}

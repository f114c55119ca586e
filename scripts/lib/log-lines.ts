/** Turns child-process output into readable, prefixed lines; pino JSON becomes "level msg key=value". */
const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const SKIP = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'name', 'v']);

export function formatLine(line: string): string {
  if (!line.startsWith('{')) return line;
  try {
    const entry = JSON.parse(line) as Record<string, unknown>;
    const level = LEVELS[entry.level as number] ?? String(entry.level ?? '');
    const fields = Object.entries(entry)
      .filter(([k]) => !SKIP.has(k))
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(' ');
    return `${level.padEnd(5)} ${String(entry.msg ?? '')}${fields ? `  ${fields}` : ''}`;
  } catch {
    return line;
  }
}

/** Returns a function that accepts arbitrary chunks and writes complete lines with the prefix. */
export function prefixedWriter(prefix: string, write: (s: string) => void): (chunk: string) => void {
  let pending = '';
  return (chunk) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) write(`${prefix} ${formatLine(line)}\n`);
  };
}

// field.Path rendering (k8s.io/apimachinery/pkg/util/validation/field/path.go): children joined by '.',
// map keys as [key], indexes as [i]. The empty string stands for the nil path.

export function child(path: string, ...names: string[]): string {
  return names.reduce((p, n) => (p ? `${p}.${n}` : n), path);
}

export function key(path: string, k: string): string {
  return `${path}[${k}]`;
}

export function index(path: string, i: number): string {
  return `${path}[${i}]`;
}

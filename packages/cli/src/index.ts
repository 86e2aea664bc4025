export async function run(argv: readonly string[]): Promise<number> {
  void argv;
  return 0;
}

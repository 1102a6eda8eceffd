// The parser publishes no types; tests narrow its result where they use it.
declare module 'parse-prometheus-text-format' {
  const parse: (text: string) => unknown;
  export default parse;
}

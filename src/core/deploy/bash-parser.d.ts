// @ericcornelissen/bash-parser ships no types; this is the part the deploy side uses.
declare module '@ericcornelissen/bash-parser' {
  function parse(source: string, options?: { insertLOC?: boolean; mode?: 'posix' | 'bash' }): unknown;
  export default parse;
}

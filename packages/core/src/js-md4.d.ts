// js-md4 ships no types; we use only this.
declare module 'js-md4' {
  const md4: { arrayBuffer(message: Uint8Array | ArrayBuffer | string): ArrayBuffer };
  export default md4;
}

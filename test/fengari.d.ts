// fengari (Lua 5.3 in JavaScript) ships no types; the tests use a handful of its C-API mirrors.
declare module 'fengari' {
  export const lua: { LUA_OK: number; lua_tojsstring(L: unknown, index: number): string };
  export const lauxlib: { luaL_newstate(): unknown; luaL_dostring(L: unknown, code: Uint8Array): number };
  export const lualib: { luaL_openlibs(L: unknown): void };
  export function to_luastring(text: string): Uint8Array;
}

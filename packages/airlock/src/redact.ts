// A credential definition carries a password in a plain property (callers and the gateway need it),
// but printing one (console.log, util.inspect, JSON.stringify) shows the user, never the password.
const INSPECT = Symbol.for('nodejs.util.inspect.custom');

export function hidePassword<T extends { password: string }>(definition: T): T {
  const shown = (): Record<string, unknown> => {
    const { password: _password, ...rest } = definition;
    return { ...rest, password: '[hidden]' };
  };
  // Not enumerable: equality checks, spreads and Object.keys see the data only.
  Object.defineProperty(definition, 'toJSON', { value: shown });
  Object.defineProperty(definition, INSPECT, { value: shown });
  return definition;
}

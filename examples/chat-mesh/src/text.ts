// What may travel as a name or a message: printable text of bounded length. A peer's text ends up
// on somebody's terminal, so control characters (escape sequences included) never get through.

/** Longest display name, in characters. */
export const MAX_NAME = 32;
/** Longest message, in characters. */
export const MAX_TEXT = 1000;

const PRINTABLE = /^[^\p{Cc}\p{Cf}\p{Zl}\p{Zp}]*$/u;

/** Why `value` is not acceptable text of at most `max` characters, or undefined if it is. */
export function textProblem(value: unknown, max: number): string | undefined {
  if (typeof value !== 'string') return 'expected a string';
  if (value.trim() === '') return 'empty';
  if ([...value].length > max) return `longer than ${max} characters`;
  if (!PRINTABLE.test(value)) return 'contains control characters';
  return undefined;
}

/**
 * A Standard Schema (the shape core's `@rpc({ args })` accepts) for an argument tuple of one
 * text of at most `max` characters: bad calls are refused with this reason, never executed.
 */
export function oneText(max: number) {
  return {
    '~standard': {
      version: 1 as const,
      vendor: 'chat-mesh',
      validate(value: unknown) {
        const problem =
          Array.isArray(value) && value.length === 1 ? textProblem(value[0], max) : 'expected one argument';
        return problem === undefined ? { value: value as [string] } : { issues: [{ message: problem }] };
      },
    },
  };
}

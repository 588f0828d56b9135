// Private IPs from 10.0.0.0/8, handed out in order from a cursor that only moves forward (wrapping at the
// end), like a DHCP server's lease pool: deterministic for a given sequence of launches, never an address
// held by a listed instance, and a released address is not handed out again until the pool wraps.

/** 10.0.0.2: .0 is the network address and .1 the gateway, by convention. */
export const FIRST_HOST_INDEX = 2;
/** 10.255.255.254: the last address below the broadcast address. */
const LAST_HOST_INDEX = 2 ** 24 - 2;

export function ipOfIndex(index: number): string {
  return `10.${(index >>> 16) & 255}.${(index >>> 8) & 255}.${index & 255}`;
}

/** The next free address at or after `cursor`, and the cursor to continue from. */
export function allocateIp(cursor: number, inUse: ReadonlySet<string>): { ip: string; cursor: number } {
  const poolSize = LAST_HOST_INDEX - FIRST_HOST_INDEX + 1;
  let index = cursor < FIRST_HOST_INDEX || cursor > LAST_HOST_INDEX ? FIRST_HOST_INDEX : cursor;
  for (let tried = 0; tried < poolSize; tried++) {
    const ip = ipOfIndex(index);
    const next = index === LAST_HOST_INDEX ? FIRST_HOST_INDEX : index + 1;
    if (!inUse.has(ip)) return { ip, cursor: next };
    index = next;
  }
  throw new Error('10.0.0.0/8 is exhausted');
}

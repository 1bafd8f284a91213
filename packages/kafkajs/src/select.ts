/** Choosing the serde for a topic: one for every topic, a per-topic table, or a function. */

/** A serde for every topic, or a function from topic to serde (`undefined`: no serde, bytes pass through). */
export type SerdeSelector<S> = S | ((topic: string) => S | undefined);

/** Key and value serdes for one side (produce or consume). */
export interface SerdeChoice<S> {
  /** Value serde(s). Omit to pass values through as bytes/strings. */
  readonly value?: SerdeSelector<S>;
  /** Key serde(s). Omit to pass keys through as bytes/strings (the usual case). */
  readonly key?: SerdeSelector<S>;
}

export function resolveSerde<S>(selector: SerdeSelector<S> | undefined, topic: string): S | undefined {
  if (selector === undefined) return undefined;
  return typeof selector === 'function' ? (selector as (t: string) => S | undefined)(topic) : selector;
}

/** Checks that a serde used for keys was built for keys (and a value serde for values). */
export function checkSide(serde: { readonly isKey: boolean } | undefined, isKey: boolean, topic: string): void {
  if (serde && serde.isKey !== isKey) {
    throw new TypeError(
      `csfle/kafkajs: the ${isKey ? 'key' : 'value'} serde for topic "${topic}" was built with isKey: ${serde.isKey}; ` +
        `create it with isKey: ${isKey} (subjects differ: <topic>-key vs <topic>-value)`,
    );
  }
}

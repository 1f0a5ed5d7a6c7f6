// The evaluation protocol a score was measured under. A speaker-dependent score hears the test voices in
// training and is far more optimistic than a speaker-independent one, so every report carries its protocol.
import { invalidParameterError, oneOf, plainObject, rangeError } from '../is';

export type ProtocolName = 'speaker-independent' | 'speaker-dependent';

export const PROTOCOL_NAMES: readonly ProtocolName[] = ['speaker-independent', 'speaker-dependent'];

export interface Protocol {
  name: ProtocolName;
  /** Free text: which corpus, which split, how speakers were chosen. */
  description: string;
  trainSpeakers?: string[];
  testSpeakers?: string[];
}

function speakerList(name: string, v: unknown): string[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) throw invalidParameterError(name, 'array of speaker ids', v);
  v.forEach((s, i) => {
    if (typeof s !== 'string') throw invalidParameterError(`${name}[${i}]`, 'string', s);
  });
  return [...(v as string[])];
}

/**
 * Validates a protocol and returns a copy. A speaker-independent protocol whose train and test speaker
 * lists share a speaker is a contradiction (the score would be speaker-dependent), so it is rejected.
 */
export function checkProtocol(name: string, value: unknown): Protocol {
  const p = plainObject(name, value);
  const protocolName = oneOf(`${name}.name`, p.name, PROTOCOL_NAMES);
  if (typeof p.description !== 'string') throw invalidParameterError(`${name}.description`, 'string', p.description);
  const trainSpeakers = speakerList(`${name}.trainSpeakers`, p.trainSpeakers);
  const testSpeakers = speakerList(`${name}.testSpeakers`, p.testSpeakers);
  if (protocolName === 'speaker-independent' && trainSpeakers && testSpeakers) {
    const train = new Set(trainSpeakers);
    const shared = testSpeakers.filter((s) => train.has(s));
    if (shared.length > 0) {
      const shown = shared.slice(0, 5).join(', ') + (shared.length > 5 ? `, ... (${shared.length} in all)` : '');
      throw rangeError(`${name}.testSpeakers`, `no speaker of ${name}.trainSpeakers in a speaker-independent protocol (shared: ${shown})`, testSpeakers);
    }
  }
  const out: Protocol = { name: protocolName, description: p.description };
  if (trainSpeakers) out.trainSpeakers = trainSpeakers;
  if (testSpeakers) out.testSpeakers = testSpeakers;
  return out;
}

/** The protocol in plain words, e.g. "speaker-independent: validation speakers never heard in training". */
export function protocolSentence(protocol: Pick<Protocol, 'name'>): string {
  return protocol.name === 'speaker-independent'
    ? 'speaker-independent: validation speakers never heard in training'
    : 'speaker-dependent: the same speakers are heard in training and validation (different utterances), so scores overstate accuracy on new voices';
}

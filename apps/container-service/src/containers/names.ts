import * as crypto from 'node:crypto';
import { RpcError } from '@berth/rpc';

/** What dockerd accepts after the optional leading "/". */
export const VALID_CONTAINER_NAME_CHARS = '[a-zA-Z0-9][a-zA-Z0-9_.-]';
const VALID_CONTAINER_NAME = new RegExp(`^/?${VALID_CONTAINER_NAME_CHARS}+$`);

const ADJECTIVES = [
  'admiring', 'adoring', 'affectionate', 'agitated', 'amazing', 'angry', 'awesome', 'beautiful', 'blissful', 'bold',
  'boring', 'brave', 'busy', 'charming', 'clever', 'compassionate', 'competent', 'condescending', 'confident', 'cool',
  'cranky', 'crazy', 'dazzling', 'determined', 'distracted', 'dreamy', 'eager', 'ecstatic', 'elastic', 'elated',
  'elegant', 'eloquent', 'epic', 'exciting', 'fervent', 'festive', 'flamboyant', 'focused', 'friendly', 'frosty',
  'funny', 'gallant', 'gifted', 'goofy', 'gracious', 'great', 'happy', 'hardcore', 'heuristic', 'hopeful',
  'hungry', 'infallible', 'inspiring', 'intelligent', 'interesting', 'jolly', 'jovial', 'keen', 'kind', 'laughing',
  'loving', 'lucid', 'magical', 'modest', 'musing', 'mystifying', 'naughty', 'nervous', 'nice', 'nifty',
  'nostalgic', 'objective', 'optimistic', 'peaceful', 'pedantic', 'pensive', 'practical', 'priceless', 'quirky', 'quizzical',
  'recursing', 'relaxed', 'reverent', 'romantic', 'sad', 'serene', 'sharp', 'silly', 'sleepy', 'stoic',
  'strange', 'stupefied', 'suspicious', 'sweet', 'tender', 'thirsty', 'trusting', 'unruffled', 'upbeat', 'vibrant',
  'vigilant', 'vigorous', 'wizardly', 'wonderful', 'xenodochial', 'youthful', 'zealous', 'zen',
];

// Scientists and engineers, as in dockerd's list.
const SURNAMES = [
  'agnesi', 'albattani', 'allen', 'almeida', 'archimedes', 'ardinghelli', 'aryabhata', 'austin', 'babbage', 'banach',
  'bardeen', 'bartik', 'bassi', 'bell', 'bhabha', 'blackwell', 'bohr', 'booth', 'borg', 'bose',
  'brahmagupta', 'brattain', 'brown', 'carson', 'cerf', 'chandrasekhar', 'chatelet', 'clarke', 'curie', 'darwin',
  'davinci', 'dijkstra', 'dirac', 'easley', 'einstein', 'elion', 'engelbart', 'euclid', 'euler', 'faraday',
  'fermat', 'fermi', 'feynman', 'franklin', 'galileo', 'gauss', 'goldberg', 'goodall', 'hamilton', 'hawking',
  'heisenberg', 'hertz', 'hodgkin', 'hofstadter', 'hopper', 'hypatia', 'jackson', 'jennings', 'johnson', 'kalam',
  'kepler', 'khorana', 'knuth', 'kowalevski', 'lamarr', 'lamport', 'leakey', 'leavitt', 'lovelace', 'lumiere',
  'mayer', 'mccarthy', 'mcclintock', 'meitner', 'mendel', 'merkle', 'mirzakhani', 'morse', 'napier', 'newton',
  'nobel', 'noether', 'pascal', 'pasteur', 'payne', 'perlman', 'pike', 'poincare', 'ramanujan', 'ritchie',
  'rosalind', 'sammet', 'shannon', 'shockley', 'sinoussi', 'stonebraker', 'swartz', 'tesla', 'thompson', 'torvalds',
  'turing', 'varahamihira', 'wilbur', 'wiles', 'williams', 'wilson', 'wing', 'wozniak', 'wright', 'yalow',
];

/** dockerd's namesgenerator: adjective_surname, with a digit appended on a retry. */
export function generateContainerName(retry = 0, random: (n: number) => number = (n) => crypto.randomInt(n)): string {
  for (;;) {
    const name = `${ADJECTIVES[random(ADJECTIVES.length)]}_${SURNAMES[random(SURNAMES.length)]}`;
    // Steve Wozniak is not boring (dockerd's own exception).
    if (name === 'boring_wozniak') continue;
    return retry > 0 ? `${name}${random(10)}` : name;
  }
}

/** Checks a user-given name and returns it without the leading "/". */
export function validateContainerName(name: string): string {
  if (!VALID_CONTAINER_NAME.test(name)) {
    throw RpcError.invalidArgument(`Invalid container name (${name}), only ${VALID_CONTAINER_NAME_CHARS} are allowed`);
  }
  return name.replace(/^\//, '');
}

/** 64 hex digits whose short form never reads as a number (dockerd's stringid.GenerateRandomID). */
export function generateContainerId(): string {
  for (;;) {
    const id = crypto.randomBytes(32).toString('hex');
    if (!/^[0-9]+$/.test(id.slice(0, 12))) return id;
  }
}

export const wordLists = { adjectives: ADJECTIVES, surnames: SURNAMES };

import type { Rng } from '../../transformer/random.js';
import type { SceneAttributes } from './scene.js';
import type { Position } from './prompt.js';

/** Which attributes a caption mentions (false = left for the model to choose). */
export type MentionedAttributes = Readonly<Record<'shape' | 'colour' | 'background' | 'size' | 'position' | 'count', boolean>>;

/** Every attribute mentioned. */
export const ALL_MENTIONED: MentionedAttributes = Object.freeze({ shape: true, colour: true, background: true, size: true, position: true, count: true });

const POSITION_PHRASES: Readonly<Record<Position, readonly string[]>> = {
  'top left': ['top left', 'in the top left corner', 'at the top-left', 'upper left'],
  top: ['top', 'at the top', 'in the top centre', 'upper middle'],
  'top right': ['top right', 'in the top right corner', 'at the top-right', 'upper right'],
  left: ['left', 'on the left', 'at the left side', 'middle left'],
  centre: ['centre', 'in the centre', 'in the middle', 'centered'],
  right: ['right', 'on the right', 'at the right side', 'middle right'],
  'bottom left': ['bottom left', 'in the bottom left corner', 'at the bottom-left', 'lower left'],
  bottom: ['bottom', 'at the bottom', 'in the bottom centre', 'lower middle'],
  'bottom right': ['bottom right', 'in the bottom right corner', 'at the bottom-right', 'lower right'],
};

/**
 * An English caption of a scene in one of several phrasings, mentioning only the attributes in
 * `mention` — "two small yellow squares top left on purple", "a large green triangle at the
 * bottom, white background", "on a blue background, a red circle". The dataset and the
 * benchmark write their prompts with it; {@link parsePrompt} reads every phrasing back.
 */
export function describeScene(scene: SceneAttributes, rng: Rng, mention: MentionedAttributes = ALL_MENTIONED): string {
  const pick = <T>(items: readonly T[]): T => items[rng.int(items.length)]!;
  const two = scene.count === 2;
  const nounWord = mention.shape ? scene.shape : pick(['shape', 'object']);
  const noun = two && (mention.count || mention.shape) ? `${nounWord}s` : nounWord;
  const article = !mention.count ? '' : two ? pick(['two', 'a pair of']) : pick(['a', 'one', 'a single']);
  const size = mention.size ? (scene.size === 'medium' ? pick(['medium', 'medium-sized']) : scene.size === 'small' ? pick(['small', 'small', 'tiny']) : pick(['large', 'big'])) : '';
  const objectPhrase = [article, size, mention.colour ? scene.colour : '', noun].filter((w) => w !== '').join(' ');
  const position = mention.position ? pick(POSITION_PHRASES[scene.position]) : '';
  const bg = scene.background;
  const backgroundPhrase = !mention.background ? '' : pick([`on a ${bg} background`, `on ${bg}`, `${bg} background`, `against ${bg}`, `background ${bg}`]);
  const parts = [objectPhrase, position, backgroundPhrase].filter((p) => p !== '');
  switch (rng.int(3)) {
    case 0:
      return parts.join(' ');
    case 1:
      return parts.join(', ');
    default:
      // background first: "on a blue background, a red circle in the middle"
      return backgroundPhrase === '' ? parts.join(', ') : [backgroundPhrase, objectPhrase, position].filter((p) => p !== '').join(', ');
  }
}

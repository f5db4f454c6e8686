/**
 * Categories and referring expressions for generated data roots.
 *
 * The COCO categories are the real 80 (ids 1..90 with gaps); RefClef's list is the one
 * of the golden data. Expressions imitate each dataset's style: RefCOCO and RefClef are
 * short and full of locations ("bottom right motorcycle"), RefCOCO+ forbids location
 * words ("lady in white coat"), RefCOCOg is long ("a man sitting wearing a red shirt").
 * A few carry non-ASCII words, and `raw` is what an annotator typed: odd case, spacing
 * and punctuation that `sent` and `tokens` normalise away.
 */
import type { Random } from './random';

export interface Category {
  id: number;
  name: string;
  supercategory: string;
}

function categories(rows: readonly (readonly [number, string, string])[]): Category[] {
  return rows.map(([id, name, supercategory]) => ({ id, name, supercategory }));
}

export const COCO_CATEGORIES: readonly Category[] = categories([
  [1, 'person', 'person'], [2, 'bicycle', 'vehicle'], [3, 'car', 'vehicle'], [4, 'motorcycle', 'vehicle'],
  [5, 'airplane', 'vehicle'], [6, 'bus', 'vehicle'], [7, 'train', 'vehicle'], [8, 'truck', 'vehicle'],
  [9, 'boat', 'vehicle'], [10, 'traffic light', 'outdoor'], [11, 'fire hydrant', 'outdoor'],
  [13, 'stop sign', 'outdoor'], [14, 'parking meter', 'outdoor'], [15, 'bench', 'outdoor'],
  [16, 'bird', 'animal'], [17, 'cat', 'animal'], [18, 'dog', 'animal'], [19, 'horse', 'animal'],
  [20, 'sheep', 'animal'], [21, 'cow', 'animal'], [22, 'elephant', 'animal'], [23, 'bear', 'animal'],
  [24, 'zebra', 'animal'], [25, 'giraffe', 'animal'], [27, 'backpack', 'accessory'],
  [28, 'umbrella', 'accessory'], [31, 'handbag', 'accessory'], [32, 'tie', 'accessory'],
  [33, 'suitcase', 'accessory'], [34, 'frisbee', 'sports'], [35, 'skis', 'sports'],
  [36, 'snowboard', 'sports'], [37, 'sports ball', 'sports'], [38, 'kite', 'sports'],
  [39, 'baseball bat', 'sports'], [40, 'baseball glove', 'sports'], [41, 'skateboard', 'sports'],
  [42, 'surfboard', 'sports'], [43, 'tennis racket', 'sports'], [44, 'bottle', 'kitchen'],
  [46, 'wine glass', 'kitchen'], [47, 'cup', 'kitchen'], [48, 'fork', 'kitchen'], [49, 'knife', 'kitchen'],
  [50, 'spoon', 'kitchen'], [51, 'bowl', 'kitchen'], [52, 'banana', 'food'], [53, 'apple', 'food'],
  [54, 'sandwich', 'food'], [55, 'orange', 'food'], [56, 'broccoli', 'food'], [57, 'carrot', 'food'],
  [58, 'hot dog', 'food'], [59, 'pizza', 'food'], [60, 'donut', 'food'], [61, 'cake', 'food'],
  [62, 'chair', 'furniture'], [63, 'couch', 'furniture'], [64, 'potted plant', 'furniture'],
  [65, 'bed', 'furniture'], [67, 'dining table', 'furniture'], [70, 'toilet', 'furniture'],
  [72, 'tv', 'electronic'], [73, 'laptop', 'electronic'], [74, 'mouse', 'electronic'],
  [75, 'remote', 'electronic'], [76, 'keyboard', 'electronic'], [77, 'cell phone', 'electronic'],
  [78, 'microwave', 'appliance'], [79, 'oven', 'appliance'], [80, 'toaster', 'appliance'],
  [81, 'sink', 'appliance'], [82, 'refrigerator', 'appliance'], [84, 'book', 'indoor'],
  [85, 'clock', 'indoor'], [86, 'vase', 'indoor'], [87, 'scissors', 'indoor'], [88, 'teddy bear', 'indoor'],
  [89, 'hair drier', 'indoor'], [90, 'toothbrush', 'indoor'],
]);

export const COCO_PERSON = 1;

export const REFCLEF_CATEGORIES: readonly Category[] = categories([
  [1, 'sky-blue', 'landscape-nature'], [2, 'sky-light', 'landscape-nature'], [3, 'cloud', 'landscape-nature'],
  [4, 'mountain', 'landscape-nature'], [5, 'tree', 'landscape-nature'], [6, 'trees', 'landscape-nature'],
  [7, 'grass', 'landscape-nature'], [8, 'ground', 'landscape-nature'], [9, 'water', 'landscape-nature'],
  [10, 'sea', 'landscape-nature'], [11, 'river', 'landscape-nature'], [12, 'rock', 'landscape-nature'],
  [13, 'sand-beach', 'landscape-nature'], [14, 'snow', 'landscape-nature'], [15, 'bush', 'landscape-nature'],
  [16, 'plant', 'landscape-nature'], [17, 'flowers', 'landscape-nature'], [18, 'hill', 'landscape-nature'],
  [19, 'vegetation', 'landscape-nature'], [20, 'lake', 'landscape-nature'], [21, 'floor', 'man-made'],
  [22, 'wall', 'man-made'], [23, 'building', 'man-made'], [24, 'house', 'man-made'], [25, 'window', 'man-made'],
  [26, 'door', 'man-made'], [27, 'roof', 'man-made'], [28, 'street', 'man-made'], [29, 'sidewalk', 'man-made'],
  [30, 'fence', 'man-made'], [31, 'bridge', 'man-made'], [32, 'column', 'man-made'], [33, 'statue', 'man-made'],
  [34, 'church', 'man-made'], [35, 'tower', 'man-made'], [36, 'car', 'man-made'], [37, 'bus', 'man-made'],
  [38, 'boat', 'man-made'], [39, 'bicycle', 'man-made'], [40, 'sign', 'man-made'], [41, 'table', 'man-made'],
  [42, 'chair', 'man-made'], [43, 'bed', 'man-made'], [44, 'lamp', 'man-made'], [45, 'painting', 'man-made'],
  [46, 'curtain', 'man-made'], [47, 'bottle', 'man-made'], [48, 'hat', 'man-made'], [49, 'umbrella', 'man-made'],
  [50, 'man', 'humans'], [51, 'woman', 'humans'], [52, 'child-boy', 'humans'], [53, 'child-girl', 'humans'],
  [54, 'person', 'humans'], [55, 'group-of-persons', 'humans'], [56, 'face-of-person', 'humans'],
  [57, 'hand-of-person', 'humans'], [58, 'dog', 'animal'], [59, 'horse', 'animal'], [60, 'bird', 'animal'],
  [61, 'cow', 'animal'], [62, 'llama', 'animal'], [63, 'fish', 'animal'], [64, 'cat', 'animal'],
  [65, 'fruit', 'food'], [66, 'bread', 'food'], [67, 'food', 'food'], [68, 'highway', 'man-made'],
  [69, 'ruin-archeological', 'man-made'], [70, 'stairs', 'man-made'], [71, 'wood', 'landscape-nature'],
  [72, 'waterfall', 'landscape-nature'], [73, 'dirt', 'landscape-nature'], [74, 'leaves', 'landscape-nature'],
  [75, 'ocean', 'landscape-nature'], [76, 'desert', 'landscape-nature'], [77, 'fabric', 'other'],
  [78, 'paper', 'other'], [79, 'shadow', 'other'], [80, 'floor-other', 'other'],
]);

export type ExpressionStyle = 'refcoco' | 'refcoco+' | 'refcocog' | 'refclef';

const PEOPLE = ['man', 'woman', 'guy', 'lady', 'boy', 'girl', 'kid', 'child', 'person', 'player', 'batter',
  'catcher', 'umpire', 'surfer', 'skier', 'baby', 'chef', 'dude'];
const SYNONYMS: Record<string, readonly string[]> = {
  car: ['car', 'suv', 'van'], couch: ['couch', 'sofa'], 'dining table': ['table', 'dining table'],
  tv: ['tv', 'television', 'monitor'], 'cell phone': ['phone', 'cell phone'], 'potted plant': ['plant', 'potted plant'],
  motorcycle: ['motorcycle', 'bike'], bicycle: ['bicycle', 'bike'], 'sports ball': ['ball'],
  'teddy bear': ['teddy bear', 'bear'], 'wine glass': ['glass', 'wine glass'], donut: ['donut', 'doughnut'],
};
const COLORS = ['white', 'black', 'red', 'blue', 'green', 'yellow', 'brown', 'grey', 'gray', 'pink', 'purple',
  'orange', 'tan', 'silver', 'dark', 'light', 'plaid', 'striped'];
const SIZES = ['big', 'small', 'large', 'little', 'tall', 'short', 'huge', 'tiny', 'biggest', 'smallest'];
const LOCATIONS = ['left', 'right', 'middle', 'center', 'top', 'bottom', 'front', 'back', 'closest',
  'farthest', 'leftmost', 'rightmost', 'upper', 'lower', 'far left', 'far right', 'top left', 'top right',
  'bottom left', 'bottom right', 'left side', 'right side'];
const SIDES = ['left', 'right', 'top', 'bottom'];
const ORDINALS = ['second', 'third', 'fourth', '2nd', '3rd', '4th'];
const CLOTHES = ['shirt', 'jacket', 'coat', 'dress', 'hat', 'cap', 'shorts', 'pants', 'jeans', 'vest',
  'uniform', 'sweater', 'hoodie', 'glasses'];
const ACTIONS = ['standing', 'sitting', 'walking', 'eating', 'smiling', 'looking down', 'bending over',
  'leaning on the rail', 'partially hidden', 'cut off', 'holding a bat', 'holding an umbrella',
  'holding a racket', 'wearing glasses', 'with arms crossed'];
const POSES = ['sitting', 'lying', 'placed', 'parked', 'located', 'standing', 'that is'];
const RELATIONS = ['next to', 'behind', 'in front of', 'under', 'on top of', 'near', 'beside', 'on'];
const LANDMARKS = ['the table', 'the person', 'the wall', 'the window', 'the car', 'the fence', 'the plate',
  'the man', 'the tree', 'the door'];
/** Words that make some expressions non-ASCII, as real annotators typed them. */
const NON_ASCII = ['crème', 'café', 'naïve', 'jalapeño', 'piñata', 'résumé', 'man’s', 'woman’s', 'señor’s',
  'über', 'façade', 'beige-crème'];

function words(phrase: string): string[] {
  return phrase.split(' ');
}

/** The noun phrase an annotator would use for a category. */
function noun(rng: Random, category: Category, style: ExpressionStyle): string[] {
  if (style === 'refclef') {
    // RefClef's names are hyphenated ("child-boy", "sky-blue"): people say the words.
    const special: Record<string, string> = { 'group-of-persons': 'people', 'face-of-person': 'face',
      'hand-of-person': 'hand', 'floor-other': 'floor', 'child-boy': 'boy', 'child-girl': 'girl' };
    return words(special[category.name] ?? category.name.replace(/-/g, ' '));
  }
  if (category.id === COCO_PERSON) return [rng.pick(PEOPLE)];
  if (rng.chance(0.12)) return ['thing'];
  return words(rng.pick(SYNONYMS[category.name] ?? [category.name]));
}

function modifier(rng: Random): string[] {
  return [rng.chance(0.55) ? rng.pick(COLORS) : rng.pick(SIZES)];
}

function shortExpression(rng: Random, n: string[]): string[] {
  const loc = words(rng.pick(LOCATIONS));
  switch (rng.weighted([10, 22, 18, 16, 6, 8, 8, 6, 6])) {
    case 0: return loc;
    case 1: return [...loc, ...n];
    case 2: return [...n, ...loc];
    case 3: return [...modifier(rng), ...n];
    case 4: return [...n, 'in', rng.pick(COLORS), rng.pick(CLOTHES)];
    case 5: return [rng.pick(ORDINALS), ...n, 'from', rng.pick(SIDES)];
    case 6: return [...modifier(rng), ...n, ...loc];
    case 7: return [...loc, 'one'];
    default: return [...n, 'on', ...(rng.chance(0.5) ? ['the'] : []), ...loc];
  }
}

function appearanceExpression(rng: Random, n: string[], person: boolean): string[] {
  switch (rng.weighted([30, person ? 20 : 4, person ? 14 : 4, 12, 10, 10])) {
    case 0: return [...modifier(rng), ...n];
    case 1: return [...n, 'in', rng.pick(COLORS), rng.pick(CLOTHES)];
    case 2: return ['the', ...n, 'with', 'the', rng.pick(COLORS), rng.pick(CLOTHES)];
    case 3: return [rng.pick(SIZES), rng.pick(COLORS), ...n];
    case 4: return [...n, ...words(rng.pick(ACTIONS))];
    default: return [rng.pick(COLORS), 'one'];
  }
}

function longExpression(rng: Random, n: string[], person: boolean): string[] {
  const article = rng.chance(0.5) ? 'a' : 'the';
  const tail = rng.chance(0.25) ? ['on', 'the', rng.pick(SIDES)] : [];
  if (person) {
    switch (rng.weighted([40, 25, 20, 15])) {
      case 0: return [article, ...(rng.chance(0.4) ? [rng.pick(SIZES)] : []), ...n, ...words(rng.pick(ACTIONS)),
        'wearing', 'a', rng.pick(COLORS), rng.pick(CLOTHES), ...tail];
      case 1: return ['the', ...n, 'with', 'the', rng.pick(COLORS), rng.pick(CLOTHES)];
      case 2: return [article, ...n, 'in', 'a', rng.pick(COLORS), rng.pick(CLOTHES), ...words(rng.pick(ACTIONS)), ...tail];
      default: return [rng.pick(ORDINALS), ...n, 'from', rng.pick(SIDES)];
    }
  }
  switch (rng.weighted([55, 30, 15])) {
    case 0: return [article, rng.pick(SIZES), rng.pick(COLORS), ...n, ...words(rng.pick(POSES)),
      ...words(rng.pick(RELATIONS)), ...words(rng.pick(LANDMARKS)), ...tail];
    case 1: return [article, rng.pick(COLORS), ...n, 'that', 'is', ...words(rng.pick(RELATIONS)),
      ...words(rng.pick(LANDMARKS))];
    default: return [...modifier(rng), ...n, rng.pick(['front', 'back', 'left', 'right'])];
  }
}

/** The tokens of one expression for an object of `category`. */
export function expressionTokens(rng: Random, category: Category, style: ExpressionStyle, person: boolean): string[] {
  const n = noun(rng, category, style);
  if (rng.chance(0.01)) n.unshift(rng.pick(NON_ASCII));
  switch (style) {
    case 'refcoco+': return appearanceExpression(rng, n, person);
    case 'refcocog': return longExpression(rng, n, person);
    default: return shortExpression(rng, n);
  }
}

const PUNCTUATION = /[!?,.;:"]/g;

/** REFER's `sent`/`tokens` from `raw`: lower case, punctuation dropped, single spaces. */
export function normaliseTokens(raw: string): string[] {
  return raw.toLowerCase().replace(PUNCTUATION, '').split(/\s+/).filter((t) => t.length > 0);
}

/** What an annotator might have typed for `tokens`; normalises back to them. */
export function rawExpression(rng: Random, tokens: readonly string[]): string {
  let parts = [...tokens];
  if (parts.length > 1 && rng.chance(0.03)) {
    const i = rng.int(parts.length - 1);
    parts[i] += ',';
  }
  let sep = ' ';
  if (rng.chance(0.03)) sep = '  ';
  else if (rng.chance(0.008)) sep = '\t';
  let raw = parts.join(sep);
  const caseRoll = rng.next();
  if (caseRoll < 0.05) raw = raw.toUpperCase();
  else if (caseRoll < 0.14) raw = raw[0].toUpperCase() + raw.slice(1);
  if (rng.chance(0.07)) raw += rng.pick([',', '.', '?', '!', '.']);
  if (rng.chance(0.03)) raw = ` ${raw}  `;
  parts = normaliseTokens(raw);
  if (parts.join(' ') !== tokens.join(' ')) {
    throw new Error(`generator bug: raw ${JSON.stringify(raw)} does not normalise to ${JSON.stringify(tokens)}`);
  }
  return raw;
}

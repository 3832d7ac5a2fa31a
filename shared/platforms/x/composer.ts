import { createComposer } from '../compose/composer';
import { xRules } from './rules';

/** An article as an X post: the template fitted to 280 weighted characters. */
export const composeX = createComposer(xRules);

import { NotFoundError } from '../../errors.js';
import type { CommandHandler } from '../command-table.js';
export default (async () => {
  throw new NotFoundError('cxo runs clean is not implemented yet');
}) as CommandHandler;

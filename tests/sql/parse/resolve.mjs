// resolve.mjs - lets Node load dt-sql-parser, whose build imports folders
// and extensionless files as bundlers allow (node --import ./resolve.mjs)
import { register } from 'node:module';

export async function resolve(spec, ctx, next) {
  try {
    return await next(spec, ctx);
  } catch (e) {
    if (e.code === 'ERR_UNSUPPORTED_DIR_IMPORT')
      return next(spec + '/index.js', ctx);
    if (e.code === 'ERR_MODULE_NOT_FOUND' && spec.startsWith('.') &&
        !spec.endsWith('.js'))
      return next(spec + '.js', ctx);
    throw e;
  }
}

if (!process.env.SEGC_RESOLVE_HOOK) {
  process.env.SEGC_RESOLVE_HOOK = '1';
  register(import.meta.url);
}

import * as esbuild from 'esbuild';
const heavy = ['gdal-async','pg','@electric-sql/pglite','@azure/storage-blob','piscina','listr2','pino','azurite'];
const r = await esbuild.build({
  entryPoints: ['src/cli/main.ts'], bundle: true, format: 'esm', platform: 'node', target: 'node20',
  outdir: 'dist/cli', splitting: true, metafile: true, logLevel: 'warning',
  packages: process.argv[2]==='ext' ? 'external' : undefined,
  plugins: [{ name: 'stub', setup(b) { b.onResolve({ filter: new RegExp('^(' + heavy.join('|') + ')$') }, a => ({ path: a.path, namespace: 'stub' })); b.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({ contents: 'export default {}; ', loader: 'js' })); } }],
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
});
for (const [f, o] of Object.entries(r.metafile.outputs)) console.log(f, o.bytes);

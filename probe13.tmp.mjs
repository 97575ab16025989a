import { runFloat } from './dist/src/float/run-float.js';
import { syntheticImage } from './dist/scripts/synthetic-input.js';
import fs from 'node:fs';
fs.rmSync('/tmp/p13',{recursive:true,force:true}); fs.mkdirSync('/tmp/p13', {recursive:true}); fs.writeFileSync('/tmp/p13/in.bin', syntheticImage(1,416,416,3,3));
for (let i=0;i<4;i++){
const r = await runFloat({model:'/work/shared/data/models/yolox_nano_3cls.onnx', input:'/tmp/p13/in.bin', mean:'0', var:'1', out:'/tmp/p13/out'+i, threads:2});
console.log(JSON.stringify(Object.fromEntries(Object.entries(r.timings).map(([k,v])=>[k,Math.round(v)]))));
}

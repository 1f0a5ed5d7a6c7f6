#!/bin/bash
# Session 30 idle benchmarks: forward/WAV→emotion for the new default model and the student, float32 and bfloat16; serve on the student.
cd /work/main
out=experiments/2026-12-08-inference-precision
for m in "default:/work/snap30/models/default" "student:/work/snap29/runs/student-s29/model"; do
  name=${m%%:*}; dir=${m#*:}
  for p in float32 bfloat16; do
    echo "$(date -u +%T) bench:predict $name $p load $(cut -d' ' -f1-3 /proc/loadavg)" >> $out/bench.log
    node dist/bench/predict.js --trained $dir --precision $p --reps 200 --json > $out/bench-predict-$name-$p.json 2>> $out/bench.log
  done
done
for p in float32 bfloat16; do
  echo "$(date -u +%T) bench:serve student $p load $(cut -d' ' -f1-3 /proc/loadavg)" >> $out/bench.log
  node dist/bench/serve.js --model /work/snap29/runs/student-s29/model --precision $p --stream-minutes 1 --json > $out/bench-serve-student-$p.json 2>> $out/bench.log
done
echo "$(date -u +%T) done load $(cut -d' ' -f1-3 /proc/loadavg)" >> $out/bench.log

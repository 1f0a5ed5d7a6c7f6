// `ser-native export --onnx FILE [--model DIR]`: a bundle as an ONNX graph (lib/export/onnx.ts).
import { meta, type Command } from '../command-meta';

interface Args {
  onnx: string;
  model?: string;
  opset: number;
  features: boolean;
  json: boolean;
}

export const exportCommand: Command<Args> = {
  ...meta('export'),
  builder: (y) =>
    y
      .option('onnx', { type: 'string', demandOption: true, describe: 'Write the ONNX model here (e.g. model.onnx)' })
      .option('model', { type: 'string', describe: 'Model bundle folder (default: the shipped default model)' })
      .option('opset', { type: 'number', default: 17, describe: 'ONNX opset, 17-21 (STFT needs 17)' })
      .option('features', { type: 'boolean', default: true, describe: 'Include the log-mel front end (input: raw samples); --no-features exports the network alone on log-mel input' })
      .option('json', { type: 'boolean', default: false, describe: 'Print { file, bytes, opset, input, output, members, temperature } as JSON' })
      .example('$0 export --onnx emotion.onnx --model ser-model/model', 'Input "samples" [batch, samples] float32 at the model rate, output "probabilities" [batch, classes]') as never,
  flagNames: () => ({ 'options.opset': '--opset', file: '--onnx' }),
  handler: async (a) => {
    const { exportOnnx } = await import('../../lib/export/onnx');
    const { defaultModelDir } = await import('../../lib/model/default-model');
    const model = a.model ?? defaultModelDir({ mustExist: true });
    const r = exportOnnx(model, a.onnx, { opset: a.opset, features: a.features });
    if (a.json) {
      process.stdout.write(JSON.stringify(r) + '\n');
      return;
    }
    const shape = (s: (number | string)[]) => `[${s.join(', ')}]`;
    process.stdout.write(
      `${r.file}: ONNX opset ${r.opset}, ${(r.bytes / 1024).toFixed(0)} KiB, ${r.members} member${r.members === 1 ? '' : 's'}${r.temperature ? `, temperature ${r.temperature}` : ''}\n` +
        `  input  ${r.input.name} ${shape(r.input.shape)} float32\n  output ${r.output.name} ${shape(r.output.shape)} (labels in metadata_props)\n`,
    );
  },
};

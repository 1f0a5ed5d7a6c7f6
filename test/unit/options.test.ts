// Unknown options are errors at every public entry point: a typo must not silently fall back to a
// default (train({ epoch: 5 }) used to train the default 60 epochs). Each check runs before any work.
import { train, evaluate, loadModel, predict, optimize, logMel } from '../../lib';

test('train, evaluate and optimize reject unknown options with a did-you-mean', async () => {
  await expect(train({ epoch: 5 } as never)).rejects.toThrow(/^Unknown option options\.epoch \(did you mean epochs\?\); known options: .*epochs/);
  await expect(train({ Epochs: 5 } as never)).rejects.toThrow(/did you mean epochs\?/);
  await expect(evaluate({ modle: 'runs/x/model' } as never)).rejects.toThrow(/Unknown option options\.modle \(did you mean model\?\)/);
  await expect(optimize({ maxEval: 3 } as never)).rejects.toThrow(/Unknown option options\.maxEval \(did you mean maxEvals\?\)/);
  await expect(optimize({ queue: { url: 'redis://127.0.0.1:1', studdy: 'x' } } as never)).rejects.toThrow(/Unknown option queue\.studdy \(did you mean study\?\)/);
  // Nothing close: no suggestion, the list of known options instead.
  await expect(train({ colour: 'red' } as never)).rejects.toThrow(/^Unknown option options\.colour; known options: ravdess, /);
  const e = await train({ epoch: 5 } as never).catch((x: unknown) => x);
  expect(e).toBeInstanceOf(TypeError);
  expect((e as { code?: string }).code).toBe('ERR_ARGUMENT');
});

test('loadModel, predict and logMel reject unknown options before touching the bundle', () => {
  expect(() => loadModel('no/such/model', { devcie: 'cpu' } as never)).toThrow(/Unknown option options\.devcie \(did you mean device\?\)/);
  expect(() => predict('no/such/model', 'clip.wav', { minConfidense: 0.5 } as never)).toThrow(/did you mean minConfidence\?/);
  expect(() => logMel(new Float32Array(400), { nfft: 512 } as never)).toThrow(/Unknown option options\.nfft \(did you mean nFft\?\)/);
  // Explicitly undefined options are allowed (spreading optional values is common).
  expect(() => loadModel('no/such/model', { device: undefined })).toThrow(/model\.json is missing|no\/such\/model/);
});

test('a device index beyond LibTorch\'s int8 range is an argument error, not a wrapped GPU or a native stoi failure', () => {
  for (const device of ['cuda:128', 'cuda:99999999999', 'cuda:-1', 'cuda:1x']) {
    const e = (() => {
      try {
        loadModel('no/such/model', { device: device as never });
      } catch (x) {
        return x as { code?: string; message: string };
      }
      return null;
    })();
    expect(e?.code).toBe('ERR_ARGUMENT');
    expect(e?.message).toMatch(/'cuda:N' \(N from 0 to 127\)/);
  }
});

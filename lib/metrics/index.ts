// Classification metrics: scores, protocols, and turning probabilities into predictions.
export { classificationReport } from './classification';
export type { ClassificationReport, ClassMetrics } from './classification';
export { checkProtocol, protocolSentence, PROTOCOL_NAMES } from './protocol';
export type { Protocol, ProtocolName } from './protocol';
export { argmax, meanByOwner } from './probabilities';
export { applyTemperature, calibrationReport, fitTemperature, negativeLogLikelihood } from './calibration';
export type { CalibrationReport, ReliabilityBin, TemperatureFit } from './calibration';

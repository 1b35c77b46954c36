export * from '@ntlmkit/core/internal';
export { u32le as u32leCompat } from '../../core/src/messages/av-pairs';

export * from '@ntlmkit/core';
export { u32le as u32leCompat } from '../../core/src/messages/av-pairs';

/** safeStorage as the encrypted secret store's cipher: on a Mac the key lives in the login Keychain. */
import { safeStorage } from 'electron';
import type { SecretCipher } from '../desktop/encrypted-secrets.ts';

export async function safeStorageCipher(): Promise<SecretCipher | null> {
  if (!(await safeStorage.isAsyncEncryptionAvailable())) return null;
  return {
    encrypt: (plainText) => safeStorage.encryptStringAsync(plainText),
    async decrypt(encrypted) {
      const { result, shouldReEncrypt } = await safeStorage.decryptStringAsync(encrypted);
      return { text: result, reEncrypt: shouldReEncrypt };
    },
  };
}

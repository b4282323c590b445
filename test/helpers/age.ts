/**
 * age key pairs made at run time (never a committed identity) and decryption of the ASCII-armoured
 * ciphertext `--encrypt-to` prints, for the tests that check a sealed secret opens to the issued one.
 */
import { Decrypter, armor, generateIdentity, identityToRecipient } from 'age-encryption';

export async function ageKeyPair(): Promise<{ identity: string; recipient: string }> {
  const identity = await generateIdentity();
  return { identity, recipient: await identityToRecipient(identity) };
}

export async function ageOpen(armoured: string, identity: string): Promise<string> {
  const d = new Decrypter();
  d.addIdentity(identity);
  return new TextDecoder().decode(await d.decrypt(armor.decode(armoured)));
}

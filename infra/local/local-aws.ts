/** Names the local emulators share: one region, fauxqs's account id, dummy credentials. */

export const LOCAL_REGION = 'us-east-1';

/** fauxqs puts this account id in every queue URL and ARN; local ARNs use it too. */
export const LOCAL_ACCOUNT_ID = '000000000000';

/** Never checked by dynalite or fauxqs; set so no real credentials are sent anywhere. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

// The API's password rule, mirrored so forms can say it up front (the API checks again, and refuses common passwords).

export const PASSWORD_LENGTH = { min: 15, max: 256 } as const;

export const PASSWORD_HINT = `At least ${String(PASSWORD_LENGTH.min)} characters; a few words you will remember work well. Common passwords are refused.`;

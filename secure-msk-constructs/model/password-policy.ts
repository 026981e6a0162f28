/**
 * How SCRAM passwords are generated, at deploy time (the stack) and on rotation (the rotation
 * function): 32 characters, none that needs quoting in JAAS configs or shells.
 */
export const PASSWORD_LENGTH = 32;
export const EXCLUDED_CHARACTERS = '"\'\\/@`$;:,={}[] ';

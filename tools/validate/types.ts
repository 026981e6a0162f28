/** The validators `npm run validate` runs, in the order it prints them. */
export const VALIDATORS = ['cfn-lint', 'control-tower', 'iam'] as const;
export type ValidatorName = (typeof VALIDATORS)[number];

/** One problem reported by one validator. */
export interface Finding {
  readonly validator: ValidatorName;
  /** cfn-lint rule id (E3012), Control Tower control id (CT.KMS.PR.3) or IAM check name. */
  readonly rule: string;
  readonly severity: 'error' | 'warning';
  /** Template file name (not the path). */
  readonly file: string;
  /** Logical id of the resource, or '' when the finding is about the template. */
  readonly resource: string;
  readonly message: string;
  /** Where in the resource, e.g. `Properties.PolicyDocument.Statement[3]`. */
  readonly path?: string;
}

/** Mini-spec and PRD front matter (schemas/spec.schema.json, schemas/prd.schema.json). */

export const SPEC_STATUSES = ['draft', 'in-review', 'approved', 'done', 'superseded'] as const;
export type SpecStatus = (typeof SPEC_STATUSES)[number];
export type Risk = 'low' | 'medium' | 'high';

export interface Approval {
  by: string;
  role?: string;
  at: string;
  digest: string;
}

export interface SpecFields {
  id: string;
  title: string;
  status: SpecStatus;
  owners: string[];
  risk: Risk;
  last_review: string;
  review_interval_days?: number;
  relates_to?: string[];
  covers?: string[];
  approvals?: Approval[];
}

export interface PrdFields {
  id: string;
  title: string;
  status?: SpecStatus;
  owners?: string[];
  created?: string;
  relates_to?: string[];
  specs?: string[];
}

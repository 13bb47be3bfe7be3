// A promise read from a distribution's configuration, with the field it came
// from: the targets file names it in a comment beside the value.
export interface Sourced<T> {
  value: T;
  /** the configuration field and its value, as a comment says it: `CachePolicy html (c1a0…) MinTTL: 5` */
  from: string;
}

// The API's lists are `{Quantity, Items}`; CloudFormation's are plain arrays.
/** The items, or undefined for an empty or absent list (CloudFormation's "not set"). */
export function listItems<T>(list: { Items?: T[] | undefined } | undefined): T[] | undefined {
  return list?.Items?.length ? list.Items : undefined;
}

/** An empty string in the API's answer means "not set"; CloudFormation wants the property left out. */
export function unlessEmpty(value: string | undefined): string | undefined {
  return value === '' ? undefined : value;
}

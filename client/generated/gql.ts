/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query Datasets {\n    datasets {\n      id\n      name\n      splitBy\n      counts { refs sentences images annotations categories }\n      splits { name counts { refs sentences images } }\n    }\n  }\n": typeof types.DatasetsDocument,
    "\n  query RefIds($name: String!, $splitBy: String!, $split: String) {\n    dataset(name: $name, splitBy: $splitBy) {\n      refIds(split: $split)\n    }\n  }\n": typeof types.RefIdsDocument,
    "\n  query RefsPage($name: String!, $splitBy: String!, $split: String, $categoryNames: [String!], $text: String, $first: Int, $after: String) {\n    dataset(name: $name, splitBy: $splitBy) {\n      refs(split: $split, categoryNames: $categoryNames, text: $text, first: $first, after: $after) {\n        totalCount\n        pageInfo { hasNextPage endCursor }\n        edges {\n          node {\n            id\n            refId\n            split\n            box\n            category { name }\n            sentences { sent raw }\n            image { imageId fileName width height }\n          }\n        }\n      }\n    }\n  }\n": typeof types.RefsPageDocument,
    "\n  query RefNode($id: ID!) {\n    node(id: $id) {\n      __typename\n      ... on Ref {\n        refId\n        annotation {\n          annId\n          area\n          segmentation {\n            __typename\n            ... on PolygonSegmentation { polygons }\n            ... on RleSegmentation { parts { counts size } }\n          }\n        }\n      }\n    }\n  }\n": typeof types.RefNodeDocument,
};
const documents: Documents = {
    "\n  query Datasets {\n    datasets {\n      id\n      name\n      splitBy\n      counts { refs sentences images annotations categories }\n      splits { name counts { refs sentences images } }\n    }\n  }\n": types.DatasetsDocument,
    "\n  query RefIds($name: String!, $splitBy: String!, $split: String) {\n    dataset(name: $name, splitBy: $splitBy) {\n      refIds(split: $split)\n    }\n  }\n": types.RefIdsDocument,
    "\n  query RefsPage($name: String!, $splitBy: String!, $split: String, $categoryNames: [String!], $text: String, $first: Int, $after: String) {\n    dataset(name: $name, splitBy: $splitBy) {\n      refs(split: $split, categoryNames: $categoryNames, text: $text, first: $first, after: $after) {\n        totalCount\n        pageInfo { hasNextPage endCursor }\n        edges {\n          node {\n            id\n            refId\n            split\n            box\n            category { name }\n            sentences { sent raw }\n            image { imageId fileName width height }\n          }\n        }\n      }\n    }\n  }\n": types.RefsPageDocument,
    "\n  query RefNode($id: ID!) {\n    node(id: $id) {\n      __typename\n      ... on Ref {\n        refId\n        annotation {\n          annId\n          area\n          segmentation {\n            __typename\n            ... on PolygonSegmentation { polygons }\n            ... on RleSegmentation { parts { counts size } }\n          }\n        }\n      }\n    }\n  }\n": types.RefNodeDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Datasets {\n    datasets {\n      id\n      name\n      splitBy\n      counts { refs sentences images annotations categories }\n      splits { name counts { refs sentences images } }\n    }\n  }\n"): (typeof documents)["\n  query Datasets {\n    datasets {\n      id\n      name\n      splitBy\n      counts { refs sentences images annotations categories }\n      splits { name counts { refs sentences images } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RefIds($name: String!, $splitBy: String!, $split: String) {\n    dataset(name: $name, splitBy: $splitBy) {\n      refIds(split: $split)\n    }\n  }\n"): (typeof documents)["\n  query RefIds($name: String!, $splitBy: String!, $split: String) {\n    dataset(name: $name, splitBy: $splitBy) {\n      refIds(split: $split)\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RefsPage($name: String!, $splitBy: String!, $split: String, $categoryNames: [String!], $text: String, $first: Int, $after: String) {\n    dataset(name: $name, splitBy: $splitBy) {\n      refs(split: $split, categoryNames: $categoryNames, text: $text, first: $first, after: $after) {\n        totalCount\n        pageInfo { hasNextPage endCursor }\n        edges {\n          node {\n            id\n            refId\n            split\n            box\n            category { name }\n            sentences { sent raw }\n            image { imageId fileName width height }\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query RefsPage($name: String!, $splitBy: String!, $split: String, $categoryNames: [String!], $text: String, $first: Int, $after: String) {\n    dataset(name: $name, splitBy: $splitBy) {\n      refs(split: $split, categoryNames: $categoryNames, text: $text, first: $first, after: $after) {\n        totalCount\n        pageInfo { hasNextPage endCursor }\n        edges {\n          node {\n            id\n            refId\n            split\n            box\n            category { name }\n            sentences { sent raw }\n            image { imageId fileName width height }\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RefNode($id: ID!) {\n    node(id: $id) {\n      __typename\n      ... on Ref {\n        refId\n        annotation {\n          annId\n          area\n          segmentation {\n            __typename\n            ... on PolygonSegmentation { polygons }\n            ... on RleSegmentation { parts { counts size } }\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query RefNode($id: ID!) {\n    node(id: $id) {\n      __typename\n      ... on Ref {\n        refId\n        annotation {\n          annId\n          area\n          segmentation {\n            __typename\n            ... on PolygonSegmentation { polygons }\n            ... on RleSegmentation { parts { counts size } }\n          }\n        }\n      }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;
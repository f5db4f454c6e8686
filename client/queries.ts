/**
 * Example operations, typed by codegen (client/generated/): each document carries its
 * result and variables types, so a client gets `data.dataset.refs.edges[0].node.box`
 * checked at compile time.
 */
import { graphql } from './generated';

export const DatasetsQuery = graphql(`
  query Datasets {
    datasets {
      id
      name
      splitBy
      counts { refs sentences images annotations categories }
      splits { name counts { refs sentences images } }
    }
  }
`);

/** REFER's getRefIds(split=...). */
export const RefIdsQuery = graphql(`
  query RefIds($name: String!, $splitBy: String!, $split: String) {
    dataset(name: $name, splitBy: $splitBy) {
      refIds(split: $split)
    }
  }
`);

/** A page of refs, optionally filtered by split, category names and words. */
export const RefsPageQuery = graphql(`
  query RefsPage($name: String!, $splitBy: String!, $split: String, $categoryNames: [String!], $text: String, $first: Int, $after: String) {
    dataset(name: $name, splitBy: $splitBy) {
      refs(split: $split, categoryNames: $categoryNames, text: $text, first: $first, after: $after) {
        totalCount
        pageInfo { hasNextPage endCursor }
        edges {
          node {
            id
            refId
            split
            box
            category { name }
            sentences { sent raw }
            image { imageId fileName width height }
          }
        }
      }
    }
  }
`);

/** Any object by global id; here, a ref with its annotation's segmentation. */
export const RefNodeQuery = graphql(`
  query RefNode($id: ID!) {
    node(id: $id) {
      __typename
      ... on Ref {
        refId
        annotation {
          annId
          area
          segmentation {
            __typename
            ... on PolygonSegmentation { polygons }
            ... on RleSegmentation { parts { counts size } }
          }
        }
      }
    }
  }
`);

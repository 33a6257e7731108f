/** The officer's profile of a person: identity, rap sheet, orders and alerts, across all three subgraphs. */
export const OFFICER_PROFILE = /* GraphQL */ `
  query OfficerProfile($id: ID!) {
    person(id: $id) {
      id
      name { last first middle }
      dateOfBirth
      sex
      aliases { last first }
      criminalHistory {
        arrests { id date agency charges { statute description level disposition { type date court } } }
        convictions { statute description level date court sentence }
      }
      protectiveOrders {
        id type status issuedAt expiresAt
        terms { noContact stayAwayYards firearmsProhibited }
        service { served servedAt method }
        protectedParties { name { last first } relationship }
      }
      protectedBy { id status restrainedPerson { id name { last first } } }
      alerts { id type active caution { codes note } warrant { number offense extradition } missing { category categories } }
    }
  }
`;

/** The employment screening: a full-identity search and the convictions view. */
export const EMPLOYMENT_SCREENING = /* GraphQL */ `
  query EmploymentScreening($last: String!, $first: String!, $dob: Date!) {
    searchPersons(lastName: $last, firstName: $first, dateOfBirth: $dob) {
      score
      person {
        id
        name { last first }
        dateOfBirth
        criminalHistory { convictions { statute description level date court sentence } }
      }
    }
  }
`;

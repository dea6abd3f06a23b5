// index.js

// Initialised once per execution environment, outside the handler.
const startedAt = new Date().toISOString();

async function someAsyncOperation() {
  return { message: 'hello from Node.js', startedAt };
}

// Export a function named "handler"
exports.handler = async (event) => {
  try {
    // Your code logic here
    const result = await someAsyncOperation();

    // Return a response if needed
    return {
      statusCode: 200,
      body: JSON.stringify(result),
    };
  } catch (error) {
    // Handle errors and return an error response
    console.error(JSON.stringify({ message: 'handler failed', error: String(error) }));
    return {
      statusCode: 500,
      body: JSON.stringify({ error: 'An error occurred' }),
    };
  }
};

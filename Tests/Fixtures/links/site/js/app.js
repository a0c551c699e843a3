console.log('bridgehead')
